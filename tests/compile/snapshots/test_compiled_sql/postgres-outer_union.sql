SELECT "t5"."subject_id" AS "subject_id", "t5"."sex" AS "sex"
FROM (
  SELECT "t1"."subject_id" AS "subject_id", "t1"."sex" AS "sex"
  FROM "lab"."subject" AS t1
  LEFT JOIN "lab"."subject" AS t2 ON "t1"."subject_id" = "t2"."subject_id"
  UNION ALL
  SELECT "t3"."subject_id" AS "subject_id", NULL AS "sex"
  FROM "lab"."subject" AS t3
  WHERE NOT (EXISTS(
      SELECT 1 AS "_exists"
      FROM "lab"."subject" AS t4
      WHERE "t4"."subject_id" = "t3"."subject_id"))) AS t5;
