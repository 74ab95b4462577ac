-- Audit log: every change an operator makes, written in the same D1 batch as the change.
-- Who (the key's id, name and role), what (resource and action), before and after (JSON, or NULL
-- for a create's before and a delete's after) and the request id that made it.
CREATE TABLE `audit_log` (
	`program_id` text NOT NULL,
	`id` text PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`key_id` text NOT NULL,
	`key_name` text,
	`key_role` text NOT NULL,
	`request_id` text NOT NULL,
	-- 'program', 'campaign:<id>', 'key:<id>', ...
	`resource` text NOT NULL,
	-- 'create', 'update', 'delete', 'activate', ...
	`action` text NOT NULL,
	`before` text,
	`after` text
);
CREATE INDEX `audit_log_by_time` ON `audit_log` (`program_id`, `at`, `id`);
CREATE INDEX `audit_log_by_resource` ON `audit_log` (`program_id`, `resource`, `at`, `id`);
