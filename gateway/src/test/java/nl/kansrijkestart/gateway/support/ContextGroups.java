package nl.kansrijkestart.gateway.support;

import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs the test classes of the shared gateway context first and those with configuration
 * of their own after them, each such class's tests together. Only a matter of speed where
 * one JVM runs all classes with one cached context at a time (the external-database run):
 * no test depends on another class having run.
 */
public class ContextGroups implements ClassOrderer {

	@Override
	public void orderClasses(ClassOrdererContext context) {
		context.getClassDescriptors()
			.sort(Comparator.comparing(ContextGroups::ownConfiguration).thenComparing(d -> d.getTestClass().getName()));
	}

	private static boolean ownConfiguration(ClassDescriptor descriptor) {
		Class<?> type = descriptor.getTestClass();
		return type.isAnnotationPresent(TestPropertySource.class) || Arrays.stream(type.getDeclaredMethods())
			.anyMatch(m -> m.isAnnotationPresent(DynamicPropertySource.class));
	}

}
