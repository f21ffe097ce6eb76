-- params: ['x']

SELECT "t1"."subject_id" AS "subject_id", COUNT("t3"."_match") AS "n"
FROM "lab"."subject" AS t1
LEFT JOIN (
  SELECT "t2"."subject_id" AS "subject_id", "t2"."session_date" AS "session_date", "t2"."notes" AS "notes", 1 AS "_match"
  FROM "lab"."session" AS t2
  WHERE "t2"."notes" = ?) AS t3 ON "t1"."subject_id" = "t3"."subject_id"
GROUP BY "t1"."subject_id";
