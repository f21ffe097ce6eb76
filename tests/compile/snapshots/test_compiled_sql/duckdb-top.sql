-- params: [2, 1]

SELECT "t1"."subject_id" AS "subject_id", "t1"."sex" AS "sex", "t1"."weight" AS "weight"
FROM "lab"."subject" AS t1
ORDER BY "t1"."weight" DESC NULLS FIRST, "t1"."subject_id" ASC
LIMIT ? OFFSET ?;
