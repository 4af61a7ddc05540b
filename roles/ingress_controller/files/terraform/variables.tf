# SPDX-License-Identifier: GPL-3.0-or-later
variable "region" {
  type        = string
  description = "AWS region of the cluster."
}

variable "cluster_name" {
  type        = string
  description = "EKS cluster the edge serves; prefixes every resource name."

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must start with a letter or digit and hold only letters, digits, '-' and '_'."
  }
}

variable "environment" {
  type        = string
  description = "Name of the environment (tag docc.platform/environment on every resource)."
  default     = "default"
}

variable "edge_mode" {
  type        = string
  description = "terraform: this module owns the load balancer; controller: the AWS Load Balancer Controller makes it from a Service (only its IAM role is here)."
  default     = "terraform"

  validation {
    condition     = contains(["terraform", "controller"], var.edge_mode)
    error_message = "edge_mode must be terraform or controller."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster (the eks stage's vpc_id)."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC; the load balancer reaches its targets inside it."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets of the internet-facing load balancer, at least two availability zones."

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids needs at least two subnets (two availability zones)."
  }
}

variable "node_security_group_id" {
  type        = string
  description = "The nodes' security group; only the load balancer may reach the controller's ports on it."
}

variable "oidc_provider_arn" {
  type        = string
  description = "IAM OIDC provider of the cluster (IRSA trust of the controller's role)."
}

variable "oidc_issuer_url" {
  type        = string
  description = "OIDC issuer URL of the cluster."
}

variable "allowed_cidrs" {
  type        = list(string)
  description = "Client addresses allowed to reach the load balancer on ports 80 and 443."
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for c in var.allowed_cidrs : can(cidrhost(c, 0))])
    error_message = "allowed_cidrs must hold at least one IPv4 CIDR block."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate of the TLS listener on 443; empty: 443 passes TCP through to the controller."
  default     = ""
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer from deletion (turn off before a teardown)."
  default     = false
}

variable "http_port" {
  type        = number
  description = "Container port of the ingress controller's plain HTTP entry point (the target of port 80)."
  default     = 8000
}

variable "https_port" {
  type        = number
  description = "Container port of the ingress controller's TLS entry point (the target of port 443 without a certificate)."
  default     = 8443
}

variable "controller_namespace" {
  type        = string
  description = "Namespace of the AWS Load Balancer Controller's service account (IRSA trust)."
  default     = "kube-system"
}

variable "controller_service_account" {
  type        = string
  description = "Service account of the AWS Load Balancer Controller (IRSA trust)."
  default     = "aws-load-balancer-controller"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "access_logs_bucket" {
  type        = string
  description = "S3 bucket for the load balancer's access logs; empty leaves them off."
  default     = ""
}
