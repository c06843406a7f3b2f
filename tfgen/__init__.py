"""tfgen: ECS application blueprints rendered into plain Terraform."""

__version__ = "0.1.0"
