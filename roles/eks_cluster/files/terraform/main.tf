# SPDX-License-Identifier: GPL-3.0-or-later
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

# A role session's ARN has no path; its role's ARN (issuer_arn, read with iam:GetRole) has it, and
# an EKS access entry needs that (IAM Identity Center roles live under /aws-reserved/...). Read
# only when no admin is given (the role passes the one aws_identity_info found), so a caller
# without iam:GetRole can name the admin itself.
data "aws_iam_session_context" "current" {
  count = var.admin_principal_arn == "" ? 1 : 0
  arn   = data.aws_caller_identity.current.arn
}

# logs.<region>.amazonaws.com, or the partition's own DNS suffix (amazonaws.com.cn in China).
data "aws_service_principal" "logs" {
  service_name = "logs"
}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:the set used is pinned by slice(names, 0, availability_zone_count) over AWS's stable ordering, so a new zone never changes where subnets live
  state = "available"
  # Regular zones only: an opted-in Local or Wavelength Zone sorts before them by name, and EKS
  # puts no control plane there.
  filter {
    name   = "zone-type"
    values = ["availability-zone"]
  }
}

locals {
  azs                 = slice(data.aws_availability_zones.available.names, 0, var.availability_zone_count)
  admin_principal_arn = var.admin_principal_arn != "" ? var.admin_principal_arn : one(data.aws_iam_session_context.current[*].issuer_arn)
  nat_count           = var.single_nat_gateway ? 1 : var.availability_zone_count
  account_root        = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  cluster_log_group   = "/aws/eks/${var.cluster_name}/cluster"
  # Ownership tags on every taggable resource: docc.platform finds what an interrupted apply
  # created but never recorded in the state by these tags. Set on each resource rather than
  # through provider default_tags, whose values the emulator echoes into launch template data.
  tags = merge(var.tags, {
    "docc.platform/cluster"     = var.cluster_name
    "docc.platform/environment" = var.environment
    "docc.platform/stack"       = "eks"
  })
}

# ---------------------------------------------------------------------------------------
# Network: VPC over several AZs, public subnets for load balancers, private for nodes.
# ---------------------------------------------------------------------------------------
resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, { Name = "${var.cluster_name}-vpc" })
}

# Nothing uses the default security group; with no rules it denies all traffic.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.cluster_name}-default-deny" })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.cluster_name}-igw" })
}

resource "aws_subnet" "public" {
  count = var.availability_zone_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.public_subnet_cidrs[count.index]
  availability_zone = local.azs[count.index]
  # Load balancers get their own addresses; nothing launched here needs a public IP.
  map_public_ip_on_launch = false

  tags = merge(local.tags, {
    Name                                        = "${var.cluster_name}-public-${local.azs[count.index]}"
    "kubernetes.io/role/elb"                    = "1"
    "kubernetes.io/cluster/${var.cluster_name}" = "shared"
  })
}

resource "aws_subnet" "private" {
  count = var.availability_zone_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = var.private_subnet_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = merge(local.tags, {
    Name                                        = "${var.cluster_name}-private-${local.azs[count.index]}"
    "kubernetes.io/role/internal-elb"           = "1"
    "kubernetes.io/cluster/${var.cluster_name}" = "shared"
  })
}

resource "aws_eip" "nat" {
  count  = local.nat_count
  domain = "vpc"
  tags   = merge(local.tags, { Name = "${var.cluster_name}-nat-${count.index}" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = merge(local.tags, { Name = "${var.cluster_name}-nat-${count.index}" })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.cluster_name}-public" })
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = var.availability_zone_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  count = var.availability_zone_count

  vpc_id = aws_vpc.this.id
  tags   = merge(local.tags, { Name = "${var.cluster_name}-private-${local.azs[count.index]}" })
}

resource "aws_route" "private_nat" {
  count = var.availability_zone_count

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = var.availability_zone_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  count = var.enable_vpc_flow_logs ? 1 : 0

  name              = "/aws/vpc/${var.cluster_name}/flow-logs"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_iam_role" "flow_logs" {
  count = var.enable_vpc_flow_logs ? 1 : 0

  name = "${var.cluster_name}-vpc-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = var.enable_vpc_flow_logs ? 1 : 0

  name = "write-flow-logs"
  role = aws_iam_role.flow_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.flow_logs[0].arn}:*"
    }]
  })
}

resource "aws_flow_log" "this" {
  count = var.enable_vpc_flow_logs ? 1 : 0

  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn
  tags                 = local.tags
}

# ---------------------------------------------------------------------------------------
# Encryption: one customer-managed key for Kubernetes secrets and the log groups.
# ---------------------------------------------------------------------------------------
resource "aws_kms_key" "this" {
  description             = "EKS ${var.cluster_name}: secrets envelope encryption and log groups"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  tags                    = local.tags
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncrypts"
        Effect    = "Allow"
        Principal = { Service = data.aws_service_principal.logs.id }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"
          }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/eks/${var.cluster_name}"
  target_key_id = aws_kms_key.this.key_id
}

# ---------------------------------------------------------------------------------------
# IAM: the cluster role and the node role, each with only the AWS managed policies it needs.
# ---------------------------------------------------------------------------------------
resource "aws_iam_role" "cluster" {
  name = "${var.cluster_name}-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "eks.amazonaws.com" }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  for_each = toset(["AmazonEKSClusterPolicy"])

  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

resource "aws_iam_role" "node" {
  name = "${var.cluster_name}-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  # The CNI policy sits on the node role only until vpc-cni moves to IRSA; ECR read-only
  # lets nodes pull images.
  for_each = toset(["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

# ---------------------------------------------------------------------------------------
# Control plane
# ---------------------------------------------------------------------------------------
resource "aws_cloudwatch_log_group" "cluster" {
  # EKS writes here; creating it first sets retention and encryption.
  name              = local.cluster_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_eks_cluster" "this" {
  #checkov:skip=CKV_AWS_39:the machine that runs Ansible must reach the API; the public endpoint is open to public_access_cidrs only, and endpoint_private_only turns it off for runs inside the VPC
  #checkov:skip=CKV_AWS_38:public_access_cidrs refuses 0.0.0.0/0 (variable validation, and the role's rules before any change)
  #checkov:skip=CKV_AWS_37:controllerManager and scheduler logs are opt-in through cluster_log_types (CloudWatch cost); api, audit and authenticator are on by default
  name     = var.cluster_name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  enabled_cluster_log_types = var.cluster_log_types
  tags                      = local.tags

  # The API answers inside the VPC (nodes) and, unless endpoint_private_only, on a public endpoint
  # open to public_access_cidrs only (EKS's own default would be 0.0.0.0/0).
  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    endpoint_private_access = true
    endpoint_public_access  = !var.endpoint_private_only
    public_access_cidrs     = var.endpoint_private_only ? null : var.public_access_cidrs
  }

  # Without it the API's default for a new cluster is EXTENDED: past standard support the control
  # plane would cost $0.60 per hour instead of $0.10, without a word.
  dynamic "upgrade_policy" {
    for_each = var.enable_upgrade_policy ? [1] : []
    content {
      support_type = var.support_type
    }
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.this.arn
    }
  }

  # Authentication through EKS access entries (no aws-auth ConfigMap editing).
  dynamic "access_config" {
    for_each = var.enable_access_entries ? [1] : []
    content {
      authentication_mode                         = "API"
      bootstrap_cluster_creator_admin_permissions = false
    }
  }

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_cloudwatch_log_group.cluster,
  ]
}

resource "aws_eks_access_entry" "admin" {
  count = var.enable_access_entries ? 1 : 0

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = local.admin_principal_arn
  type          = "STANDARD"
  tags          = local.tags
}

resource "aws_eks_access_policy_association" "admin" {
  count = var.enable_access_entries ? 1 : 0

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[0].principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# IRSA: pods assume IAM roles through the cluster's OIDC issuer.
resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  tags           = local.tags
}

# ---------------------------------------------------------------------------------------
# Nodes: their own security group, a launch template, a managed node group
# ---------------------------------------------------------------------------------------
# Nodes carry the cluster security group (control plane <-> nodes) and this one, which later
# stages open to what must reach pods (the ingress stage: its load balancer only).
resource "aws_security_group" "node" {
  name        = "${var.cluster_name}-node"
  description = "EKS ${var.cluster_name} nodes: node-to-node traffic; later stages add their sources"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.tags, { Name = "${var.cluster_name}-node" })
}

resource "aws_vpc_security_group_ingress_rule" "node_to_node" {
  security_group_id            = aws_security_group.node.id
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "-1"
  description                  = "node to node (pod network)"
  tags                         = local.tags

  lifecycle {
    # The local AWS emulator does not return the description of a rule that references a
    # group; without this every plan there would show a change that cannot be applied.
    ignore_changes = [description]
  }
}

resource "aws_vpc_security_group_egress_rule" "node_out" {
  #checkov:skip=CKV_AWS_382:nodes pull images and reach AWS APIs through the NAT gateway; egress is not narrowed by address
  security_group_id = aws_security_group.node.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "nodes reach the registry and AWS APIs through the NAT gateway"
  tags              = local.tags
}

resource "aws_launch_template" "node" {
  name_prefix = "${var.cluster_name}-node-"
  description = "EKS ${var.cluster_name} managed nodes"
  tags        = var.tag_launch_template ? local.tags : {}

  vpc_security_group_ids = compact([aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, aws_security_group.node.id])

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required" # IMDSv2 only
    # Hop limit 1: a pod on the pod network cannot reach the node's instance metadata, so
    # it cannot borrow the node role; pods get AWS credentials through IRSA instead.
    # hostNetwork agents (aws-node, kube-proxy) are one hop away and keep working.
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.node_disk_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = "${var.cluster_name}-node" })
  }
}

resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.cluster_name}-default"
  # The nodes follow the control plane (UpdateNodegroupVersion after the cluster's update), unless
  # an upgrade holds them one minor behind while the new control plane bakes.
  version        = var.node_kubernetes_version != "" ? var.node_kubernetes_version : aws_eks_cluster.this.version
  node_role_arn  = aws_iam_role.node.arn
  subnet_ids     = aws_subnet.private[*].id
  ami_type       = var.node_ami_type
  capacity_type  = var.node_capacity_type
  instance_types = var.node_instance_types
  labels         = var.node_labels
  tags           = local.tags

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  scaling_config {
    min_size     = var.node_min_size
    desired_size = var.node_desired_size
    max_size     = var.node_max_size
  }

  # Rolling updates replace one node at a time (the AWS default, so no update_config).

  dynamic "taint" {
    for_each = var.node_taints
    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  lifecycle {
    # The cluster autoscaler owns the desired size once the group exists. Remote (SSH)
    # access is never configured: AWS rejects it together with a launch template.
    ignore_changes = [scaling_config[0].desired_size, remote_access]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

# ---------------------------------------------------------------------------------------
# Add-ons
# ---------------------------------------------------------------------------------------
locals {
  addons = var.enable_addons ? {
    "vpc-cni" = {
      # The VPC CNI enforces Kubernetes NetworkPolicy.
      configuration_values = jsonencode({ enableNetworkPolicy = "true" })
    }
    "coredns"    = { configuration_values = null }
    "kube-proxy" = { configuration_values = null }
  } : {}
}

resource "aws_eks_addon" "this" {
  for_each = local.addons

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = lookup(var.addon_versions, each.key, null)
  configuration_values        = each.value.configuration_values
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"
  tags                        = local.tags

  depends_on = [aws_eks_node_group.this]
}
