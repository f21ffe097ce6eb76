SELECT "t1"."subject_id" AS "subject_id", "t1"."sex" AS "sex", "t1"."weight" AS "weight"
FROM "lab"."subject" AS t1
WHERE NOT (EXISTS(
    SELECT 1 AS "_exists"
    FROM "lab"."session" AS t2
    WHERE "t2"."subject_id" = "t1"."subject_id"));
