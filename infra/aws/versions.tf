terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project = var.prefix
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
