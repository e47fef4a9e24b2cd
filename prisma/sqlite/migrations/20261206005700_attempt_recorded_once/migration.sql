-- Attempts recorded twice. Until this version a batch of attempts written again after its COMMIT
-- succeeded but its answer was lost (the connection cut just after) was inserted a second time under
-- new ids; the worker now makes each id once and skips one already there. Such a copy is the same
-- row in every column but its id: the one with the smallest id is kept. Not a unique index on
-- ("deliveryId", "attemptNumber"): two requests really made with one number (a lease ran out
-- mid-send, and the delivery was claimed and sent again) are both kept, and they started at
-- different times (the second after the lease the first was sent under had ended).
DELETE FROM "WebhookDeliveryAttempt"
WHERE EXISTS (
  SELECT 1 FROM "WebhookDeliveryAttempt" AS b
  WHERE b."deliveryId" = "WebhookDeliveryAttempt"."deliveryId"
    AND b."attemptNumber" = "WebhookDeliveryAttempt"."attemptNumber"
    AND b."startedAt" = "WebhookDeliveryAttempt"."startedAt"
    AND b."id" < "WebhookDeliveryAttempt"."id"
    AND b."endpointId" = "WebhookDeliveryAttempt"."endpointId"
    AND b."trigger" = "WebhookDeliveryAttempt"."trigger"
    AND b."durationMs" = "WebhookDeliveryAttempt"."durationMs"
    AND b."succeeded" = "WebhookDeliveryAttempt"."succeeded"
    AND b."statusCode" IS "WebhookDeliveryAttempt"."statusCode"
    AND b."error" IS "WebhookDeliveryAttempt"."error"
    AND b."responseHeaders" IS "WebhookDeliveryAttempt"."responseHeaders"
    AND b."responseBody" IS "WebhookDeliveryAttempt"."responseBody"
    AND b."requestHeaders" IS "WebhookDeliveryAttempt"."requestHeaders"
    AND b."requestBody" IS "WebhookDeliveryAttempt"."requestBody"
);
