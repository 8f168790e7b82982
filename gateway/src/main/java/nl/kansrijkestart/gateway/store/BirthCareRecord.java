package nl.kansrijkestart.gateway.store;

import java.util.List;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;

/**
 * What one birth-care organisation holds about a mother and her children: what handover
 * documents and monitoring facts are made from.
 *
 * @param author the organisation that recorded it (the documents' author)
 */
public record BirthCareRecord(Patient mother, List<Observation> observations, Organization author, List<Birth> births) {

	/** One child's birth, with what was observed about the child. */
	public record Birth(Procedure procedure, Patient child, List<Observation> observations) {

		static final String LIVE_BIRTH = "281050002";

		public boolean live() {
			return procedure.getOutcome().getCoding().stream().anyMatch(c -> LIVE_BIRTH.equals(c.getCode()));
		}
	}
}
