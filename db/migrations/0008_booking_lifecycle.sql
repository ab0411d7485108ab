CREATE TABLE `booking_change_checks` (
	`booking_id` text NOT NULL,
	`change_id` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `bookings` ADD `cancel_message` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `rescheduled_to_booking_id` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `rescheduled_from_booking_id` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `outcome_recorded_at` integer;--> statement-breakpoint
ALTER TABLE `bookings` ADD `outcome_recorded_by` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `ics_uid` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `ics_sequence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `change_id` text;--> statement-breakpoint
ALTER TABLE `teachers` ADD `notify_on_changes` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `teachers` ADD `reschedule_window_minutes` integer DEFAULT 1440 NOT NULL;--> statement-breakpoint
ALTER TABLE `teachers` ADD `auto_complete_after_days` integer;--> statement-breakpoint
-- Hand-written from here on. A batch that changes a booking (a cancellation) inserts (booking_id, change_id)
-- right after its conditional update: unless the update matched and stamped that change id, the batch rolls
-- back whole. The loser of two cancellations sends no second email. The row itself is never stored.
CREATE TRIGGER booking_change_checks_check BEFORE INSERT ON booking_change_checks
BEGIN
  SELECT RAISE(ABORT, 'BOOKING_NOT_ACTIVE') WHERE NOT EXISTS (
    SELECT 1 FROM bookings WHERE id = NEW.booking_id AND change_id = NEW.change_id
  );
  SELECT RAISE(IGNORE);
END;
--> statement-breakpoint
-- The booking at a session's new time can only be inserted by the batch that ended the old booking as
-- `rescheduled`, pointing at it (same teacher). With bookings_claim_open_slot (0002) this makes a reschedule
-- all-or-nothing: if the new slot is gone, or the old booking was canceled or moved meanwhile, nothing changes.
CREATE TRIGGER bookings_reschedule_guard BEFORE INSERT ON bookings
WHEN NEW.rescheduled_from_booking_id IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM bookings
  WHERE id = NEW.rescheduled_from_booking_id AND teacher_id = NEW.teacher_id
    AND status = 'rescheduled' AND rescheduled_to_booking_id = NEW.id
)
BEGIN
  SELECT RAISE(ABORT, 'BOOKING_NOT_ACTIVE');
END;
--> statement-breakpoint
-- A booking moved away frees its slot as a canceled one does (replaces the trigger of 0002).
DROP TRIGGER bookings_release_slot;
--> statement-breakpoint
CREATE TRIGGER bookings_release_slot AFTER UPDATE OF status ON bookings
WHEN OLD.status = 'scheduled' AND NEW.status IN ('canceled', 'rescheduled')
BEGIN
  UPDATE slots SET status = 'open', updated_at = coalesce(NEW.canceled_at, NEW.scheduled_at, updated_at) WHERE id = NEW.slot_id AND status = 'booked';
END;
