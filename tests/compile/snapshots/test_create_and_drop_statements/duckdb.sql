CREATE TABLE "ks"."#rig" (
  "rig" VARCHAR(8) NOT NULL,
  "key" SMALLINT NOT NULL,
  "order" INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY ("rig", "key")
);

COMMENT ON TABLE "ks"."#rig" IS 'rigs: ''quoted'' \ backslash';

COMMENT ON COLUMN "ks"."#rig"."rig" IS ':varchar(8):rig''s name';

COMMENT ON COLUMN "ks"."#rig"."key" IS ':int16:';

COMMENT ON COLUMN "ks"."#rig"."order" IS ':int32:display order';

CREATE TABLE "ks"."event" (
  "rig_name" VARCHAR(8) NOT NULL,
  "rig_key" SMALLINT NOT NULL,
  "date" DATE NOT NULL,
  "rig" VARCHAR(8) DEFAULT NULL,
  "key" SMALLINT DEFAULT NULL,
  "group" VARCHAR(10) NOT NULL DEFAULT 'a''b\c',
  "label" ENUM('x#y', 'it''s', 'z') NOT NULL DEFAULT 'x#y',
  "weight" DECIMAL(4,2) NOT NULL DEFAULT -1.50,
  "flag" BOOLEAN NOT NULL DEFAULT TRUE,
  "started" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "since" DATE NOT NULL DEFAULT '2024-01-01',
  "note" VARCHAR(100) DEFAULT NULL,
  PRIMARY KEY ("rig_name", "rig_key", "date")
);

COMMENT ON TABLE "ks"."event" IS 'events on a rig';

COMMENT ON COLUMN "ks"."event"."rig_name" IS ':varchar(8):rig''s name';

COMMENT ON COLUMN "ks"."event"."rig_key" IS ':int16:';

COMMENT ON COLUMN "ks"."event"."date" IS ':date:';

COMMENT ON COLUMN "ks"."event"."rig" IS ':varchar(8):rig''s name';

COMMENT ON COLUMN "ks"."event"."key" IS ':int16:';

COMMENT ON COLUMN "ks"."event"."group" IS ':varchar(10):group''s label \ path';

COMMENT ON COLUMN "ks"."event"."label" IS ':enum(''x#y'', ''it''''s'', ''z''):';

COMMENT ON COLUMN "ks"."event"."weight" IS ':decimal(4,2):';

COMMENT ON COLUMN "ks"."event"."flag" IS ':bool:';

COMMENT ON COLUMN "ks"."event"."started" IS ':datetime:';

COMMENT ON COLUMN "ks"."event"."since" IS ':date:';

COMMENT ON COLUMN "ks"."event"."note" IS ':varchar(100):';

CREATE UNIQUE INDEX "uq_event_rig_key" ON "ks"."event" ("rig", "key");

CREATE INDEX "idx_event_date_flag" ON "ks"."event" ("date", "flag");

CREATE UNIQUE INDEX "uq_event_group_label" ON "ks"."event" ("group", "label");

DROP TABLE "ks"."event";

DELETE FROM "ks"."~foreign_keys" WHERE "child" = 'event';

DROP TABLE "ks"."#rig";
