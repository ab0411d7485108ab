CREATE TABLE `request_metrics` (
	`scope` text NOT NULL,
	`teacher_id` text DEFAULT '' NOT NULL,
	`minute` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	`errors_5xx` integer DEFAULT 0 NOT NULL,
	`errors_4xx` integer DEFAULT 0 NOT NULL,
	`sum_ms` integer DEFAULT 0 NOT NULL,
	`h0` integer DEFAULT 0 NOT NULL,
	`h1` integer DEFAULT 0 NOT NULL,
	`h2` integer DEFAULT 0 NOT NULL,
	`h3` integer DEFAULT 0 NOT NULL,
	`h4` integer DEFAULT 0 NOT NULL,
	`h5` integer DEFAULT 0 NOT NULL,
	`h6` integer DEFAULT 0 NOT NULL,
	`h7` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope`, `teacher_id`, `minute`)
);
