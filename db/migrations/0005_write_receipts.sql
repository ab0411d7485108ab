CREATE TABLE `write_receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
