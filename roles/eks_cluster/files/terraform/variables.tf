# SPDX-License-Identifier: GPL-3.0-or-later
variable "region" {
  type        = string
  description = "AWS region of the cluster."
}

variable "cluster_name" {
  type        = string
  description = "EKS cluster name; also prefixes every resource name."

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must start with a letter or digit and hold only letters, digits, '-' and '_' (at most 100 characters)."
  }
}

variable "environment" {
  type        = string
  description = "Name of the environment (tag docc.platform/environment on every resource)."
  default     = "default"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", var.environment))
    error_message = "environment must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane, for example 1.36."

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33 (major.minor)."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC."

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 28
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /28 (what AWS accepts), for example 10.0.0.0/16."
  }
}

variable "availability_zone_count" {
  type        = number
  description = "How many availability zones to spread the subnets over (at least 2)."
  default     = 3

  validation {
    condition     = var.availability_zone_count >= 2 && var.availability_zone_count <= 6
    error_message = "availability_zone_count must be between 2 and 6."
  }
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "One public subnet CIDR per availability zone (load balancers, NAT gateway)."

  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must hold IPv4 CIDR blocks."
  }
}

variable "private_subnet_cidrs" {
  type        = list(string)
  description = "One private subnet CIDR per availability zone (nodes, internal load balancers)."

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must hold IPv4 CIDR blocks."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper) instead of one per availability zone (zone-resilient)."
  default     = true
}

variable "enable_vpc_flow_logs" {
  type        = bool
  description = "Send VPC flow logs to CloudWatch Logs."
  default     = true
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDR allowlist of the public API endpoint (the networks the run and kubectl come from); at most 40 (EKS quota)."
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"]) && length(var.public_access_cidrs) <= 40
    error_message = "public_access_cidrs must hold at most 40 CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "endpoint_private_only" {
  type        = bool
  description = "No public API endpoint: the API answers only inside the VPC or a network connected to it."
  default     = false

  validation {
    # Checked here too: an empty allowlist with a public endpoint would open it to 0.0.0.0/0 (EKS's default).
    condition     = var.endpoint_private_only || length(var.public_access_cidrs) > 0
    error_message = "Either list public_access_cidrs or set endpoint_private_only = true."
  }
}

variable "enable_upgrade_policy" {
  type        = bool
  description = "Set the cluster's upgrade policy (support_type); false leaves it to the API (the local emulator has none)."
  default     = true
}

variable "support_type" {
  type        = string
  description = "STANDARD: EKS upgrades the cluster when standard support ends; EXTENDED: it enters extended support (six times the price). The API's default for new clusters is EXTENDED."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.support_type)
    error_message = "support_type is STANDARD or EXTENDED."
  }
}

variable "cluster_log_types" {
  type        = list(string)
  description = "Control-plane log types sent to CloudWatch."
  default     = ["api", "audit", "authenticator"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types may hold api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the control-plane and flow log groups, in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "node_kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the managed node group; empty: the control plane's (nodes follow the cluster). playbooks/upgrade.yml holds the nodes one minor behind while the new control plane bakes."
  default     = ""

  validation {
    condition     = var.node_kubernetes_version == "" || can(regex("^1\\.[0-9]{2}$", var.node_kubernetes_version))
    error_message = "node_kubernetes_version must be empty or look like 1.35 (major.minor)."
  }
}

variable "node_instance_types" {
  type        = list(string)
  description = "Instance types of the managed node group."
  default     = ["t3.large"]
}

variable "node_ami_type" {
  type        = string
  description = "AMI type of the managed node group."
  default     = "AL2023_x86_64_STANDARD"
}

variable "node_capacity_type" {
  type        = string
  description = "ON_DEMAND or SPOT."
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_min_size" {
  type        = number
  description = "Minimum number of nodes."
  default     = 2
}

variable "node_desired_size" {
  type        = number
  description = "Desired number of nodes (between min and max)."
  default     = 2
}

variable "node_max_size" {
  type        = number
  description = "Maximum number of nodes."
  default     = 4

  validation {
    condition     = var.node_max_size >= 1
    error_message = "node_max_size must be at least 1."
  }
}

variable "node_disk_size" {
  type        = number
  description = "Root volume size of each node in GiB."
  default     = 50
}

variable "node_labels" {
  type        = map(string)
  description = "Kubernetes labels of the nodes."
  default     = {}
}

variable "node_taints" {
  type = list(object({
    key    = string
    value  = optional(string)
    effect = string
  }))
  description = "Kubernetes taints of the nodes (effect NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE)."
  default     = []

  validation {
    condition     = alltrue([for t in var.node_taints : contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect)])
    error_message = "Each node taint effect must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."
  }
}

variable "tag_launch_template" {
  type        = bool
  description = "Tag the launch template itself (off only where an API echoes those tags into the template's data, which then drifts)."
  default     = true
}

variable "enable_access_entries" {
  type        = bool
  description = "Authentication mode API with an access entry for admin_principal_arn (EKS access entry APIs)."
  default     = true
}

variable "admin_principal_arn" {
  type        = string
  description = "IAM principal (role or user ARN) given cluster-admin through an access entry. Empty: the caller."
  default     = ""
}

variable "enable_addons" {
  type        = bool
  description = "Manage the vpc-cni (with network policy enforcement), coredns and kube-proxy EKS add-ons."
  default     = true
}

variable "addon_versions" {
  type        = map(string)
  description = "Add-on versions by name (vpc-cni, coredns, kube-proxy); a missing name takes the default version for the cluster."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
