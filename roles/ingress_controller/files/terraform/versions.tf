# SPDX-License-Identifier: GPL-3.0-or-later
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # State location comes from -backend-config (the eks_cluster role keeps it per
  # environment). The role swaps in an S3 backend through backend_override.tf when asked.
  backend "local" {}
}

provider "aws" {
  region = var.region
}
