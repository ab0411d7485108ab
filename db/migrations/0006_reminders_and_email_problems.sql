CREATE TABLE `reminders_sent` (
	`booking_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`offset_minutes` integer NOT NULL,
	`recipient` text NOT NULL,
	`outbox_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`booking_id`, `starts_at`, `offset_minutes`, `recipient`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_sent_outbox_uq` ON `reminders_sent` (`outbox_id`);--> statement-breakpoint
ALTER TABLE `bookings` ADD `student_time_zone` text;--> statement-breakpoint
CREATE INDEX `bookings_status_start_idx` ON `bookings` (`status`,`starts_at`);--> statement-breakpoint
ALTER TABLE `students` ADD `email_problem` text;--> statement-breakpoint
ALTER TABLE `students` ADD `email_problem_reason` text;--> statement-breakpoint
ALTER TABLE `students` ADD `email_problem_at` integer;--> statement-breakpoint
ALTER TABLE `teachers` ADD `reminder_offsets_minutes` text DEFAULT '[1440,60]' NOT NULL;--> statement-breakpoint
ALTER TABLE `teachers` ADD `remind_teacher` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `email_outbox_provider_message_idx` ON `email_outbox` (`provider_message_id`);--> statement-breakpoint
CREATE INDEX `email_outbox_recipient_idx` ON `email_outbox` (`recipient`,`created_at`);