package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/**
 * The STU3 resource's own shape, before anything is translated: the strict parser has
 * refused unknown elements and bad values; this refuses a missing required element (STU3
 * cardinality), with its STU3 path. A 400: the sender's STU3 is not STU3.
 */
final class Stu3Shape {

	private static final FhirContext STU3 = FhirContext.forDstu3Cached();

	private Stu3Shape() {
	}

	static void check(Stu3Translation.Stu3Entry entry) {
		walk(entry.resource(), entry.location(), 0);
	}

	private static void walk(IBase element, String path, int depth) {
		BaseRuntimeElementDefinition<?> definition = STU3.getElementDefinition(element.getClass());
		if (depth > 32 || !(definition instanceof BaseRuntimeElementCompositeDefinition<?> composite)) {
			return;
		}
		for (BaseRuntimeChildDefinition child : composite.getChildren()) {
			List<IBase> values = child.getAccessor().getValues(element);
			if (child.getMin() > 0 && values.stream().allMatch(IBase::isEmpty)) {
				throw new InvalidRequestException(path + "." + child.getElementName() + ": required in STU3 ("
						+ child.getMin() + ".." + (child.getMax() < 0 ? "*" : child.getMax()) + ") but missing");
			}
			for (int i = 0; i < values.size(); i++) {
				if (!(values.get(i) instanceof IPrimitiveType<?>)) {
					walk(values.get(i), path + "." + child.getElementName() + (values.size() > 1 ? "[" + i + "]" : ""),
							depth + 1);
				}
			}
		}
	}

}
