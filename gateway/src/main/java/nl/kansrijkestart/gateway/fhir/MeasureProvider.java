package nl.kansrijkestart.gateway.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import nl.kansrijkestart.gateway.monitoring.Indicators;
import nl.kansrijkestart.gateway.monitoring.MeasureCatalog;
import nl.kansrijkestart.gateway.monitoring.ReportingPeriod;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.stereotype.Component;

/**
 * The Kansrijke Start indicators: {@code GET /fhir/Measure[/{id}]}, and
 * {@code $evaluate-measure} for one indicator (a summary MeasureReport stratified by
 * municipality) or, at type level, all of them (a Bundle of MeasureReports).
 */
@Component
class MeasureProvider implements IResourceProvider {

	private final MeasureCatalog catalog;

	private final Indicators indicators;

	MeasureProvider(MeasureCatalog catalog, Indicators indicators) {
		this.catalog = catalog;
		this.indicators = indicators;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return Measure.class;
	}

	@Read
	public Measure read(@IdParam IdType id) {
		return catalog.measure(id.getIdPart()).orElseThrow(() -> new ResourceNotFoundException(id));
	}

	@Search
	public List<Measure> all() {
		return catalog.measures();
	}

	@Operation(name = "$evaluate-measure", idempotent = true)
	public MeasureReport evaluate(@IdParam IdType id,
			@OperationParam(name = "periodStart", min = 1, max = 1) StringType periodStart,
			@OperationParam(name = "periodEnd", min = 1, max = 1) StringType periodEnd,
			@OperationParam(name = "municipality", max = 1) StringType municipality,
			@OperationParam(name = "region", max = 1) StringType region) {
		ReportingPeriod period = period(periodStart, periodEnd);
		String only = municipality == null ? null : municipality.getValue();
		if (only != null && !only.matches("GM[0-9]{4}")) {
			throw new InvalidRequestException("municipality is a CBS code like GM0363");
		}
		if (region != null && !region.getValue().matches("GG[0-9]{4}")) {
			throw new InvalidRequestException("region is a CBS GGD region code like GG3406");
		}
		if (only != null && region != null) {
			throw new InvalidRequestException("ask for a municipality or a region, not both");
		}
		if (only != null && !period.publishesMunicipalities()) {
			throw new InvalidRequestException(
					"municipalities are published per calendar year only (disclosure control, docs/indicators.md):"
							+ " ask for periodStart=YYYY-01&periodEnd=YYYY-12, or for the municipality's region by quarter");
		}
		if (region != null && !period.publishesRegions()) {
			throw new InvalidRequestException(
					"GGD regions are published per quarter and per year (disclosure control, docs/indicators.md),"
							+ " not per month");
		}
		only = only == null && region != null ? region.getValue() : only;
		return indicators.report(id.getIdPart(), period, only).orElseThrow(() -> new ResourceNotFoundException(id));
	}

	@Operation(name = "$evaluate-measure", idempotent = true)
	public Bundle evaluateAll(@OperationParam(name = "periodStart", min = 1, max = 1) StringType periodStart,
			@OperationParam(name = "periodEnd", min = 1, max = 1) StringType periodEnd) {
		ReportingPeriod period = period(periodStart, periodEnd);
		Bundle all = new Bundle().setType(Bundle.BundleType.COLLECTION);
		for (String id : indicators.measureIds()) {
			indicators.report(id, period, null).ifPresent(r -> all.addEntry().setResource(r));
		}
		return all;
	}

	private static ReportingPeriod period(StringType start, StringType end) {
		try {
			return ReportingPeriod.parse(start == null ? null : start.getValue(), end == null ? null : end.getValue());
		}
		catch (IllegalArgumentException e) {
			throw new InvalidRequestException(e.getMessage());
		}
	}

}
