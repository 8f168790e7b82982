package nl.kansrijkestart.gateway.fhir;

import org.hl7.fhir.r4.model.Procedure;
import org.springframework.stereotype.Component;

@Component
class ProcedureProvider extends ClinicalEventProvider {

	ProcedureProvider(Providers deps) {
		super(Procedure.class, deps);
	}

}
