# SPDX-License-Identifier: GPL-3.0-or-later
output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = try(aws_eks_cluster.this.name, null)
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = try(aws_eks_cluster.this.arn, null)
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = try(aws_eks_cluster.this.endpoint, null)
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the API endpoint."
  value       = try(aws_eks_cluster.this.certificate_authority[0].data, null)
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = try(aws_eks_cluster.this.version, null)
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster (IRSA)."
  value       = try(aws_eks_cluster.this.identity[0].oidc[0].issuer, null)
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider for IRSA."
  value       = try(aws_iam_openid_connect_provider.this.arn, null)
}

output "vpc_id" {
  description = "VPC id."
  value       = try(aws_vpc.this.id, null)
}

output "public_subnet_ids" {
  description = "Public subnet ids (one per availability zone)."
  value       = try(aws_subnet.public[*].id, [])
}

output "private_subnet_ids" {
  description = "Private subnet ids (one per availability zone)."
  value       = try(aws_subnet.private[*].id, [])
}

output "node_role_arn" {
  description = "IAM role of the managed nodes."
  value       = try(aws_iam_role.node.arn, null)
}

output "node_group_name" {
  description = "Name of the managed node group."
  value       = try(aws_eks_node_group.this.node_group_name, null)
}

output "kms_key_arn" {
  description = "KMS key encrypting secrets and log groups."
  value       = try(aws_kms_key.this.arn, null)
}

output "cluster_log_group_name" {
  description = "CloudWatch log group of the control plane."
  value       = try(aws_cloudwatch_log_group.cluster.name, null)
}

output "access_entries_enabled" {
  description = "Whether authentication mode API and the admin access entry are managed."
  value       = var.enable_access_entries
}

output "addons" {
  description = "Managed EKS add-ons and their versions."
  value       = { for name, addon in aws_eks_addon.this : name => addon.addon_version }
}

output "cluster_security_group_id" {
  description = "Security group EKS made for the control plane and the nodes (null where the API reports none)."
  value       = try(aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, null)
}

output "node_security_group_id" {
  description = "The nodes' own security group; later stages add the sources that may reach pods."
  value       = try(aws_security_group.node.id, null)
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = try(aws_vpc.this.cidr_block, null)
}

