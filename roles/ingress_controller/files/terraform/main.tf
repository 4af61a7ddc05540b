# SPDX-License-Identifier: GPL-3.0-or-later
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  terraform_edge = var.edge_mode == "terraform"
  tls            = var.certificate_arn != ""
  # Ownership tags on every resource: docc.platform finds what an interrupted apply created
  # but never recorded in the state by these tags.
  tags = merge(var.tags, {
    "docc.platform/cluster"     = var.cluster_name
    "docc.platform/environment" = var.environment
    "docc.platform/stack"       = "edge"
  })
  # The controller's entry points: the load balancer's listeners forward here.
  target_ports = {
    http  = var.http_port
    https = var.https_port
  }
  oidc_host = replace(var.oidc_issuer_url, "https://", "")
  # Load balancer and target group names allow 32 characters (letters, digits, '-'): a cluster name
  # longer than 21 is shortened deterministically, keeping a hash of the whole name so that two
  # clusters that share a prefix do not collide.
  lb_base = length(var.cluster_name) <= 21 ? var.cluster_name : "${substr(var.cluster_name, 0, 16)}-${substr(sha1(var.cluster_name), 0, 4)}"
}

# ---------------------------------------------------------------------------------------
# The edge: an internet-facing NLB that Terraform owns. Controllers only bind pods to its
# target groups (TargetGroupBinding), so the DNS record can point at it at once, it
# outlives controller reinstalls, and a destroy never waits on a controller.
# ---------------------------------------------------------------------------------------
resource "aws_security_group" "lb" {
  count = local.terraform_edge ? 1 : 0

  name        = "${var.cluster_name}-edge"
  description = "Edge NLB of ${var.cluster_name}: clients on 80 and 443 from the allowlist, out only to the controller ports"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.cluster_name}-edge" })
}

resource "aws_vpc_security_group_ingress_rule" "lb_clients" {
  #checkov:skip=CKV_AWS_260:an internet-facing edge accepts port 80 from its allowlist (allowed_cidrs) by design; the controller redirects or serves it
  for_each = local.terraform_edge ? { for pair in setproduct(var.allowed_cidrs, [80, 443]) : "${pair[0]}-${pair[1]}" => pair } : {}

  security_group_id = aws_security_group.lb[0].id
  cidr_ipv4         = each.value[0]
  from_port         = each.value[1]
  to_port           = each.value[1]
  ip_protocol       = "tcp"
  description       = "clients from the allowlist on ${each.value[1]}"
  tags              = local.tags
}

resource "aws_vpc_security_group_egress_rule" "lb_to_targets" {
  for_each = local.terraform_edge ? local.target_ports : {}

  security_group_id = aws_security_group.lb[0].id
  cidr_ipv4         = var.vpc_cidr
  from_port         = each.value
  to_port           = each.value
  ip_protocol       = "tcp"
  description       = "to the ingress controller ${each.key} port in the VPC"
  tags              = local.tags
}

# The targets accept traffic only from the load balancer.
resource "aws_vpc_security_group_ingress_rule" "targets_from_lb" {
  for_each = local.terraform_edge ? local.target_ports : {}

  security_group_id            = var.node_security_group_id
  referenced_security_group_id = aws_security_group.lb[0].id
  from_port                    = each.value
  to_port                      = each.value
  ip_protocol                  = "tcp"
  description                  = "edge NLB to the ingress controller ${each.key} port"
  tags                         = local.tags

  lifecycle {
    # The local AWS emulator does not return the description of a rule that references a
    # group; without this every plan there would show a change that cannot be applied.
    ignore_changes = [description]
  }
}

resource "aws_lb" "edge" {
  #checkov:skip=CKV_AWS_91:access logs go to the bucket named in access_logs_bucket; there is no bucket to assume
  #checkov:skip=CKV_AWS_150:deletion protection is the deletion_protection variable, off by default so a teardown completes
  #checkov:skip=CKV2_AWS_28:WAF does not attach to a network load balancer; TLS passes through to the ingress controller
  #checkov:skip=CKV2_AWS_20:a network load balancer forwards TCP; the ingress controller redirects HTTP to HTTPS
  count = local.terraform_edge ? 1 : 0

  name                             = "${local.lb_base}-edge"
  internal                         = false
  load_balancer_type               = "network"
  subnets                          = var.public_subnet_ids
  security_groups                  = [aws_security_group.lb[0].id]
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = var.deletion_protection
  tags                             = merge(local.tags, { Name = "${var.cluster_name}-edge" })

  dynamic "access_logs" {
    for_each = var.access_logs_bucket != "" ? [1] : []
    content {
      bucket  = var.access_logs_bucket
      prefix  = "${var.cluster_name}/edge"
      enabled = true
    }
  }
}

resource "aws_lb_target_group" "controller" {
  for_each = local.terraform_edge ? local.target_ports : {}

  # The port is in the name: another controller (another port) makes new target groups before the
  # listeners move to them and the old ones go (create_before_destroy); a target group still in use
  # by a listener cannot be deleted.
  name                 = "${local.lb_base}-${each.key}-${each.value}"
  port                 = each.value
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30
  tags                 = merge(local.tags, { Name = "${var.cluster_name}-edge-${each.key}" })

  health_check {
    protocol            = "TCP"
    port                = "traffic-port"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:port 80 passes TCP to the ingress controller, which serves or redirects it
  #checkov:skip=CKV_AWS_103:port 80 is TCP, not TLS
  count = local.terraform_edge ? 1 : 0

  load_balancer_arn = aws_lb.edge[0].arn
  port              = 80
  protocol          = "TCP"
  tags              = local.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.controller["http"].arn
  }
}

# 443: TLS at the edge with the given certificate (to the controller's plain port), else TCP
# passthrough to the controller's TLS port.
resource "aws_lb_listener" "https" {
  #checkov:skip=CKV_AWS_2:without certificate_arn, 443 passes TLS through to the ingress controller, which terminates it
  count = local.terraform_edge ? 1 : 0

  load_balancer_arn = aws_lb.edge[0].arn
  port              = 443
  protocol          = local.tls ? "TLS" : "TCP"
  certificate_arn   = local.tls ? var.certificate_arn : null
  ssl_policy        = local.tls ? "ELBSecurityPolicy-TLS13-1-2-2021-06" : null
  tags              = local.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.controller[local.tls ? "http" : "https"].arn
  }
}
