-- Queue tables announce new work on commit (NOTIFY is transactional and coalesced per transaction): the pollers
-- query only when told, when work they know of falls due, or at their idle interval (DatabaseNotifications).
create function notify_work() returns trigger language plpgsql as $$
begin
    perform pg_notify('gateway_work', tg_table_name);
    return null;
end
$$;

create trigger handover_check_work after insert on handover_check for each statement execute function notify_work();
create trigger monitoring_check_work after insert on monitoring_check for each statement execute function notify_work();
create trigger int_channel_message_work after insert on int_channel_message for each statement execute function notify_work();
-- a new delivery, or one delivered, cancelled or dead-lettered (the next of its handover may now be due)
create trigger handover_delivery_work after insert or update of status on handover_delivery
    for each statement execute function notify_work();
