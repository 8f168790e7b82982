package nl.kansrijkestart.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The capability packages form a directed acyclic graph: a reader can understand
 * {@code store} without {@code ingest}, and {@code ingest} without the server wiring in
 * {@code fhir}.
 */
class ArchitectureTest {

	private static JavaClasses gateway;

	@BeforeAll
	static void importClasses() {
		gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("nl.kansrijkestart.gateway");
	}

	@Test
	void thePackagesFormNoCycle() {
		slices().matching("nl.kansrijkestart.gateway.(*)..").should().beFreeOfCycles().check(gateway);
	}

	@Test
	void storageDependsOnNoOtherCapability() {
		noClasses().that()
			.resideInAPackage("..gateway.store..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("..gateway.fhir..", "..gateway.ingest..", "..gateway.consent..", "..gateway.handover..",
					"..gateway.monitoring..", "..gateway.inbound..", "..gateway.audit..", "..gateway.privacy..",
					"..gateway.retention..", "..gateway.security..")
			.check(gateway);
	}

	@Test
	void onlyTheServerWiringDependsOnTheServerWiring() {
		noClasses().that()
			.resideOutsideOfPackage("..gateway.fhir..")
			.and()
			.resideInAPackage("nl.kansrijkestart.gateway.*..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..gateway.fhir..")
			.check(gateway);
	}

}
