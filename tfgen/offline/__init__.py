"""The offline stand-in for the hashicorp/aws provider.

Real Terraform talks to it over the plugin protocol (v6, gRPC, go-plugin handshake). It serves
the provider schema JSON named by ``TFGEN_AWS_SCHEMA`` (trimmed to the types a configuration
uses, see ``install``), plans by the schema's rules and applies with deterministic placeholder
values, so that no network and no credentials are needed.
"""

PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
DEFAULT_REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

# Environment variables read by the provider process (set by tfgen's terraform runner).
SCHEMA_ENV = "TFGEN_AWS_SCHEMA"
TRIMMED_SCHEMA_ENV = "TFGEN_OFFLINE_SCHEMA"
# The simulated account's JSON file (beside the offline state; see ``account``).
ACCOUNT_ENV = "TFGEN_OFFLINE_ACCOUNT"
ACCOUNT_FILE = "offline-account.json"
