package nl.kansrijkestart.gateway.fhir;

import org.hl7.fhir.r4.model.Observation;
import org.springframework.stereotype.Component;

@Component
class ObservationProvider extends ClinicalEventProvider {

	ObservationProvider(Providers deps) {
		super(Observation.class, deps);
	}

}
