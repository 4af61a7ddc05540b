# SPDX-License-Identifier: GPL-3.0-or-later
# ---------------------------------------------------------------------------------------
# IAM role of the AWS Load Balancer Controller, trusted through the cluster's OIDC provider
# (IRSA). IRSA rather than EKS Pod Identity: it needs only the OIDC provider the eks stage
# already makes, no extra add-on (the Pod Identity Agent) and no EKS association API, so it
# works wherever the cluster does, the local emulator included.
#
# The policy: see the controller document below.
# ---------------------------------------------------------------------------------------
data "aws_iam_policy_document" "controller_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["system:serviceaccount:${var.controller_namespace}:${var.controller_service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "controller" {
  name               = "${var.cluster_name}-aws-load-balancer-controller"
  description        = "AWS Load Balancer Controller of ${var.cluster_name} (IRSA)"
  assume_role_policy = data.aws_iam_policy_document.controller_trust.json
  tags               = local.tags
}

# The controller's permissions. In terraform edge mode it only reads and registers pod addresses
# in our two target groups. In controller mode it needs what its published policy grants
# (docs/install/iam_policy.json of kubernetes-sigs/aws-load-balancer-controller at the pinned
# version, v3.5.0), statement by statement below (the conformance tier compares the actions with
# the upstream file): the same actions on the same resources; where upstream asks only that the
# elbv2.k8s.aws/cluster tag be present (Null = false), this policy asks for this cluster's name.
locals {
  elb_arn = "arn:${data.aws_partition.current.partition}:elasticloadbalancing"
  ec2_arn = "arn:${data.aws_partition.current.partition}:ec2"
  cluster = "elbv2.k8s.aws/cluster"
  describe = [
    "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables",
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeCapacityReservation",
  ]
  # With the Terraform edge: what binding pods to our target groups reads.
  describe_edge = [
    "ec2:DescribeAccountAttributes", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVpcs", "ec2:GetSecurityGroupsForVpc",
    "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
  ]
  # What a load balancer the controller makes may carry and have changed: the cluster's own.
  lb_resources = ["${local.elb_arn}:*:*:targetgroup/*/*", "${local.elb_arn}:*:*:loadbalancer/net/*/*",
  "${local.elb_arn}:*:*:loadbalancer/app/*/*"]
}

data "aws_iam_policy_document" "controller" {
  #checkov:skip=CKV_AWS_356:describe actions have no resource-level permissions; every write is limited by resource ARN or by this cluster's elbv2.k8s.aws/cluster tag, as the controller's published policy does
  #checkov:skip=CKV_AWS_111:the controller's published policy: security-group rules on the node group's (untagged) group, listeners it creates (no tag yet), certificates and WAF of its load balancers
  #checkov:skip=CKV_AWS_109:iam:CreateServiceLinkedRole is limited to the Elastic Load Balancing service-linked role
  statement {
    sid       = "Read"
    effect    = "Allow"
    actions   = local.terraform_edge ? local.describe_edge : local.describe
    resources = ["*"]
  }

  # Register pod addresses: in our two target groups (Terraform edge), or in the target
  # groups the controller made (controller mode; upstream statement 14).
  statement {
    sid       = "RegisterTargets"
    effect    = "Allow"
    actions   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    resources = local.terraform_edge ? [for tg in aws_lb_target_group.controller : tg.arn] : ["${local.elb_arn}:*:*:targetgroup/*/*"]
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 0: the Elastic Load Balancing service-linked role, in an account that has none yet.
      sid       = "ServiceLinkedRole"
      effect    = "Allow"
      actions   = ["iam:CreateServiceLinkedRole"]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "iam:AWSServiceName"
        values   = ["elasticloadbalancing.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 2: certificates, WAF, Shield and Cognito of the load balancers it makes.
      sid    = "CertificatesAndProtection"
      effect = "Allow"
      actions = [
        "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
        "iam:ListServerCertificates", "iam:GetServerCertificate", "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
        "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
        "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
        "shield:DeleteProtection",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 3 and 4: rules from its load balancer's group into the nodes' group (not tagged as
      # the controller's), and the security group of each load balancer it makes.
      sid       = "SecurityGroups"
      effect    = "Allow"
      actions   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateSecurityGroup"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 5: tag a security group while creating it, with this cluster's tag.
      sid       = "TagSecurityGroupOnCreate"
      effect    = "Allow"
      actions   = ["ec2:CreateTags"]
      resources = ["${local.ec2_arn}:*:*:security-group/*"]
      condition {
        test     = "StringEquals"
        variable = "ec2:CreateAction"
        values   = ["CreateSecurityGroup"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 6: retag its own security groups, never changing the cluster tag.
      sid       = "TagOwnSecurityGroups"
      effect    = "Allow"
      actions   = ["ec2:CreateTags", "ec2:DeleteTags"]
      resources = ["${local.ec2_arn}:*:*:security-group/*"]
      condition {
        test     = "Null"
        variable = "aws:RequestTag/${local.cluster}"
        values   = ["true"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 7: change and delete its own security groups.
      sid       = "ManageOwnSecurityGroups"
      effect    = "Allow"
      actions   = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 8: create load balancers and target groups carrying this cluster's tag.
      sid       = "CreateLoadBalancers"
      effect    = "Allow"
      actions   = ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 9: listeners and rules (a listener being created carries no tag yet).
      sid       = "Listeners"
      effect    = "Allow"
      actions   = ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 10: retag its own load balancers and target groups, never changing the cluster tag.
      sid       = "TagOwnLoadBalancers"
      effect    = "Allow"
      actions   = ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]
      resources = local.lb_resources
      condition {
        test     = "Null"
        variable = "aws:RequestTag/${local.cluster}"
        values   = ["true"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 11: tag listeners and listener rules.
      sid     = "TagListeners"
      effect  = "Allow"
      actions = ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]
      resources = ["${local.elb_arn}:*:*:listener/net/*/*/*", "${local.elb_arn}:*:*:listener/app/*/*/*",
      "${local.elb_arn}:*:*:listener-rule/net/*/*/*", "${local.elb_arn}:*:*:listener-rule/app/*/*/*"]
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 12: change and delete its own load balancers and target groups.
      sid    = "ManageOwnLoadBalancers"
      effect = "Allow"
      actions = [
        "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:ResourceTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 13: tag a load balancer or target group while creating it, with this cluster's tag.
      sid       = "TagLoadBalancersOnCreate"
      effect    = "Allow"
      actions   = ["elasticloadbalancing:AddTags"]
      resources = local.lb_resources
      condition {
        test     = "StringEquals"
        variable = "elasticloadbalancing:CreateAction"
        values   = ["CreateTargetGroup", "CreateLoadBalancer"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/${local.cluster}"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      # Upstream 15: listener certificates, rules and WAF of its load balancers.
      sid    = "ListenerSettings"
      effect = "Allow"
      actions = [
        "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "controller" {
  #checkov:skip=CKV_AWS_355:describe actions have no resource-level permissions; every write is limited to our target groups or to resources tagged with this cluster
  #checkov:skip=CKV_AWS_290:writes are constrained by resource ARNs or by the elbv2.k8s.aws/cluster tag condition
  name        = "${var.cluster_name}-aws-load-balancer-controller"
  description = "What the AWS Load Balancer Controller of ${var.cluster_name} needs"
  policy      = data.aws_iam_policy_document.controller.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "controller" {
  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.controller.arn
}
