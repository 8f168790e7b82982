-- Push deliveries are claimed with a lease in a short transaction and sent outside any transaction (Deliveries):
-- a delivery whose lease ran out (the gateway died while sending) is claimed again, so it is sent at least once.
alter table handover_delivery add column lease_until timestamptz;
create index handover_delivery_in_flight_idx on handover_delivery (endpoint) where status = 'pending' and lease_until is not null;
