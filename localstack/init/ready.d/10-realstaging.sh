#!/usr/bin/env bash
# Creates what template.yaml creates in AWS, in an emulator: the media bucket, the staging queue
# with its dead-letter queue and redrive, and the bucket's uploads/ notification to the queue.
# LocalStack runs it from /etc/localstack/init/ready.d when ready; it also works against any
# endpoint: AWS_ENDPOINT_URL=http://127.0.0.1:5000 localstack/init/ready.d/10-realstaging.sh
set -euo pipefail

endpoint=${AWS_ENDPOINT_URL:-http://localhost:4566}
region=${AWS_DEFAULT_REGION:-us-east-1}
bucket=${BUCKET_NAME:-realstaging-media-local}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test} AWS_DEFAULT_REGION=$region
# LocalStack images ship awslocal; elsewhere the plain CLI with the endpoint does the same.
if command -v awslocal > /dev/null 2>&1; then aws=(awslocal); else aws=(aws --endpoint-url "$endpoint"); fi

dlq_url=$("${aws[@]}" sqs create-queue --queue-name StagingDeadLetterQueue \
  --attributes MessageRetentionPeriod=1209600 --query QueueUrl --output text)
dlq_arn=$("${aws[@]}" sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

# Visibility 1800 s = 6 x the staging function's 300 s timeout; 5 receives, then the DLQ.
redrive="{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":\"5\"}"
attributes=$(python3 -c 'import json,sys; print(json.dumps({"VisibilityTimeout":"1800","MessageRetentionPeriod":"345600","RedrivePolicy":sys.argv[1]}))' "$redrive")
queue_url=$("${aws[@]}" sqs create-queue --queue-name StagingQueue --attributes "$attributes" --query QueueUrl --output text)
queue_arn=$("${aws[@]}" sqs get-queue-attributes --queue-url "$queue_url" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

"${aws[@]}" s3api create-bucket --bucket "$bucket" > /dev/null 2>&1 || true
# The filter rule name is the plain string "prefix" (some emulators reject other spellings).
"${aws[@]}" s3api put-bucket-notification-configuration --bucket "$bucket" --notification-configuration "{
  \"QueueConfigurations\": [{
    \"Id\": \"MediaBucket-StagingQueue\",
    \"QueueArn\": \"$queue_arn\",
    \"Events\": [\"s3:ObjectCreated:*\"],
    \"Filter\": {\"Key\": {\"FilterRules\": [{\"Name\": \"prefix\", \"Value\": \"uploads/\"}]}}
  }]
}"
echo "realstaging: bucket $bucket -> $queue_url (DLQ $dlq_url) ready"
