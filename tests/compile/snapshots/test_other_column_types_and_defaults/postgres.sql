CREATE TABLE "s"."t" (
  "id" UUID NOT NULL DEFAULT '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  "doc" JSONB DEFAULT NULL,
  "blob" BYTEA DEFAULT NULL,
  "big" BIGINT NOT NULL DEFAULT 9000000000,
  "ratio" REAL NOT NULL DEFAULT 0.25,
  "at" TIMESTAMP(3) NOT NULL DEFAULT '2024-01-15 10:30:00.250000',
  PRIMARY KEY ("id")
);

COMMENT ON COLUMN "s"."t"."id" IS ':uuid:';

COMMENT ON COLUMN "s"."t"."doc" IS ':json:';

COMMENT ON COLUMN "s"."t"."blob" IS ':bytes:';

COMMENT ON COLUMN "s"."t"."big" IS ':int64:';

COMMENT ON COLUMN "s"."t"."ratio" IS ':float32:';

COMMENT ON COLUMN "s"."t"."at" IS ':datetime(3):';
