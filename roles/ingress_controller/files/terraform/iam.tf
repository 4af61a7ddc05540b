# SPDX-License-Identifier: GPL-3.0-or-later
# ---------------------------------------------------------------------------------------
# IAM role of the AWS Load Balancer Controller, trusted through the cluster's OIDC provider
# (IRSA). IRSA rather than EKS Pod Identity: it needs only the OIDC provider the eks stage
# already makes, no extra add-on (the Pod Identity Agent) and no EKS association API, so it
# works wherever the cluster does, the local emulator included.
#
# The policy is written from what the controller does here: with the Terraform-owned edge it
# only reads and registers pod addresses in our two target groups; in controller mode it also
# creates and deletes the load balancers, target groups, listeners and security groups that
# carry its cluster tag, and nothing else.
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

data "aws_iam_policy_document" "controller" {
  #checkov:skip=CKV_AWS_356:describe actions have no resource-level permissions; writes are limited to our target groups or by the elbv2.k8s.aws/cluster tag condition
  # Describe calls support no resource-level permissions.
  statement {
    sid    = "Read"
    effect = "Allow"
    actions = [
      "ec2:DescribeAccountAttributes", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances",
      "ec2:DescribeInternetGateways", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVpcs", "ec2:GetSecurityGroupsForVpc",
      "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
    ]
    resources = ["*"]
  }

  # Register pod addresses: in our two target groups (Terraform edge), or in the target
  # groups the controller made for this cluster (controller mode).
  statement {
    sid       = "RegisterTargets"
    effect    = "Allow"
    actions   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    resources = local.terraform_edge ? [for tg in aws_lb_target_group.controller : tg.arn] : ["arn:${data.aws_partition.current.partition}:elasticloadbalancing:${var.region}:${data.aws_caller_identity.current.account_id}:targetgroup/*/*"]
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      sid    = "CreateTaggedForThisCluster"
      effect = "Allow"
      actions = [
        "ec2:CreateSecurityGroup", "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
      ]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/elbv2.k8s.aws/cluster"
        values   = [var.cluster_name]
      }
    }
  }

  dynamic "statement" {
    for_each = local.terraform_edge ? [] : [1]
    content {
      sid    = "ManageTaggedForThisCluster"
      effect = "Allow"
      actions = [
        "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup",
        "ec2:CreateTags", "ec2:DeleteTags",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
      ]
      resources = ["*"]
      condition {
        test     = "StringEquals"
        variable = "aws:ResourceTag/elbv2.k8s.aws/cluster"
        values   = [var.cluster_name]
      }
    }
  }
}

resource "aws_iam_policy" "controller" {
  #checkov:skip=CKV_AWS_355:describe actions have no resource-level permissions; every write is limited to our target groups or to resources tagged with this cluster
  #checkov:skip=CKV_AWS_290:writes are constrained by resource ARNs or by the elbv2.k8s.aws/cluster tag condition
  name        = "${var.cluster_name}-aws-load-balancer-controller"
  description = "What the AWS Load Balancer Controller of ${var.cluster_name} needs (edge mode ${var.edge_mode})"
  policy      = data.aws_iam_policy_document.controller.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "controller" {
  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.controller.arn
}
