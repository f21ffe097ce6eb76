CREATE SEQUENCE "s"."#auto:id:seq";

CREATE TABLE "s"."#auto" (
  "id" INTEGER NOT NULL DEFAULT nextval('"s"."#auto:id:seq"'),
  "v" INTEGER NOT NULL,
  PRIMARY KEY ("id")
);

COMMENT ON COLUMN "s"."#auto"."id" IS ':int32:';

COMMENT ON COLUMN "s"."#auto"."v" IS ':int32:';

DROP TABLE "s"."#auto";

DROP SEQUENCE IF EXISTS "s"."#auto:id:seq";
