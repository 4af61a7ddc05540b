# SPDX-License-Identifier: GPL-3.0-or-later
output "load_balancer_hostname" {
  description = "DNS name of the edge load balancer (null in controller mode: the Service publishes it)."
  value       = try(aws_lb.edge[0].dns_name, null)
}

output "load_balancer_zone_id" {
  description = "Canonical hosted zone id of the edge load balancer, for Route53 alias records."
  value       = try(aws_lb.edge[0].zone_id, null)
}

output "load_balancer_arn" {
  description = "ARN of the edge load balancer."
  value       = try(aws_lb.edge[0].arn, null)
}

output "target_group_arns" {
  description = "Target groups by entry point (http, https), for TargetGroupBinding."
  value       = { for name, tg in aws_lb_target_group.controller : name => tg.arn }
}

output "listener_arns" {
  description = "Listeners by port."
  value       = local.terraform_edge ? { "80" = aws_lb_listener.http[0].arn, "443" = aws_lb_listener.https[0].arn } : {}
}

output "security_group_id" {
  description = "Security group of the edge load balancer."
  value       = try(aws_security_group.lb[0].id, null)
}

output "controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller (service account annotation eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.controller.arn
}
