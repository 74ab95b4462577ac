-- A version on each program, so a settings PATCH can compare and swap: concurrent patches of different fields both survive.
ALTER TABLE `programs` ADD `version` integer DEFAULT 0 NOT NULL;
