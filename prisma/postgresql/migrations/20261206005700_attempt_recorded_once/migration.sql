-- Attempts recorded twice. Until this version a batch of attempts written again after its COMMIT
-- succeeded but its answer was lost (the connection cut just after) was inserted a second time under
-- new ids; the worker now makes each id once and skips one already there. Such a copy is the same
-- row in every column but its id: the one with the smallest id is kept. Not a unique index on
-- ("deliveryId", "attemptNumber"): two requests really made with one number (a lease ran out
-- mid-send, and the delivery was claimed and sent again) are both kept, and they started at
-- different times (the second after the lease the first was sent under had ended).
DELETE FROM "WebhookDeliveryAttempt" AS a
WHERE EXISTS (
  SELECT 1 FROM "WebhookDeliveryAttempt" AS b
  WHERE b."deliveryId" = a."deliveryId"
    AND b."attemptNumber" = a."attemptNumber"
    AND b."startedAt" = a."startedAt"
    AND b."id" < a."id"
    AND b."endpointId" = a."endpointId"
    AND b."trigger" = a."trigger"
    AND b."durationMs" = a."durationMs"
    AND b."succeeded" = a."succeeded"
    AND b."statusCode" IS NOT DISTINCT FROM a."statusCode"
    AND b."error" IS NOT DISTINCT FROM a."error"
    AND b."responseHeaders" IS NOT DISTINCT FROM a."responseHeaders"
    AND b."responseBody" IS NOT DISTINCT FROM a."responseBody"
    AND b."requestHeaders" IS NOT DISTINCT FROM a."requestHeaders"
    AND b."requestBody" IS NOT DISTINCT FROM a."requestBody"
);
