CREATE TABLE `ks`.`#rig` (
  `rig` VARCHAR(8) NOT NULL COMMENT ':varchar(8):rig''s name',
  `key` SMALLINT NOT NULL COMMENT ':int16:',
  `order` INTEGER NOT NULL DEFAULT 0 COMMENT ':int32:display order',
  PRIMARY KEY (`rig`, `key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='rigs: ''quoted'' \\ backslash';

CREATE TABLE `ks`.`event` (
  `rig_name` VARCHAR(8) NOT NULL COMMENT ':varchar(8):rig''s name',
  `rig_key` SMALLINT NOT NULL COMMENT ':int16:',
  `date` DATE NOT NULL COMMENT ':date:',
  `rig` VARCHAR(8) DEFAULT NULL COMMENT ':varchar(8):rig''s name',
  `key` SMALLINT DEFAULT NULL COMMENT ':int16:',
  `group` VARCHAR(10) NOT NULL DEFAULT 'a''b\\c' COMMENT ':varchar(10):group''s label \\ path',
  `label` ENUM('x#y', 'it''s', 'z') NOT NULL DEFAULT 'x#y' COMMENT ':enum(''x#y'', ''it''''s'', ''z''):',
  `weight` DECIMAL(4,2) NOT NULL DEFAULT -1.50 COMMENT ':decimal(4,2):',
  `flag` BOOLEAN NOT NULL DEFAULT TRUE COMMENT ':bool:',
  `started` DATETIME(0) NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT ':datetime:',
  `since` DATE NOT NULL DEFAULT '2024-01-01' COMMENT ':date:',
  `note` VARCHAR(100) DEFAULT NULL COMMENT ':varchar(100):',
  PRIMARY KEY (`rig_name`, `rig_key`, `date`),
  FOREIGN KEY (`rig_name`, `rig_key`) REFERENCES `ks`.`#rig` (`rig`, `key`) ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY (`rig`, `key`) REFERENCES `ks`.`#rig` (`rig`, `key`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='events on a rig';

CREATE UNIQUE INDEX `uq_event_rig_key` ON `ks`.`event` (`rig`, `key`);

CREATE INDEX `idx_event_date_flag` ON `ks`.`event` (`date`, `flag`);

CREATE UNIQUE INDEX `uq_event_group_label` ON `ks`.`event` (`group`, `label`);

DROP TABLE `ks`.`event`;

DROP TABLE `ks`.`#rig`;
