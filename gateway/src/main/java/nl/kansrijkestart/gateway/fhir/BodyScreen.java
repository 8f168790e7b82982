package nl.kansrijkestart.gateway.fhir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Looks at a request body before any FHIR parser or validator does, in one streaming pass
 * with constant stack: the parsers recurse per nesting level and build the whole tree in
 * memory, so what one request may cost (nesting, element count, array length) is bounded
 * here. Also refuses text that FHIR does not allow and that would otherwise be stored
 * silently altered or fail deep in the database: invalid UTF-8, unpaired surrogates and
 * control characters. XML must not declare a document type (entity expansion, external
 * entities).
 */
final class BodyScreen {

	/**
	 * Why a body was refused: {@code status} 400 (not acceptable text) or 413 (too
	 * costly).
	 */
	record Refusal(int status, String code, String message) {
	}

	private final int maxDepth;

	private final int maxElements;

	private final int maxArrayLength;

	private final JsonFactory json;

	private final XMLInputFactory xml;

	BodyScreen(FhirProperties.Limits limits) {
		this.maxDepth = limits.maxDepth();
		this.maxElements = limits.maxElements();
		this.maxArrayLength = limits.maxArrayLength();
		// Our limits are lower than Jackson's own; its nesting limit only guards against
		// a misconfiguration.
		this.json = JsonFactory.builder()
			.streamReadConstraints(
					StreamReadConstraints.builder().maxNestingDepth(Math.max(maxDepth + 1, 1000)).build())
			.build();
		this.xml = XMLInputFactory.newFactory();
		xml.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		xml.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		xml.setProperty(XMLInputFactory.IS_COALESCING, false);
	}

	/** Null when the body may go on to the parsers. */
	Refusal check(byte[] body, boolean isXml) {
		try {
			return isXml ? checkXml(body) : checkJson(body);
		}
		catch (IOException | XMLStreamException | RuntimeException e) {
			return new Refusal(400, "structure",
					"The body is not well-formed " + (isXml ? "XML" : "JSON") + ": " + firstLine(e.getMessage()));
		}
	}

	private Refusal checkJson(byte[] body) throws IOException {
		Refusal text = strictUtf8(body);
		if (text != null) {
			return text;
		}
		Counter counter = new Counter();
		try (JsonParser parser = json.createParser(body)) {
			JsonToken token;
			while ((token = parser.nextToken()) != null) {
				Refusal refusal = switch (token) {
					case START_OBJECT -> counter.open(false);
					case START_ARRAY -> counter.open(true);
					case END_OBJECT, END_ARRAY -> counter.close();
					case FIELD_NAME -> text(parser.currentName(), BODY);
					case VALUE_STRING -> counter.value(text(parser.getText(), BODY));
					default -> counter.value(null);
				};
				if (refusal != null) {
					return refusal;
				}
			}
		}
		return null;
	}

	private Refusal checkXml(byte[] body) throws XMLStreamException {
		Counter counter = new Counter();
		// Per open element: the name of its latest child and how often it repeated (XML's
		// form of a JSON array).
		Deque<Object[]> open = new ArrayDeque<>();
		XMLStreamReader reader = xml.createXMLStreamReader(new ByteArrayInputStream(body));
		try {
			while (reader.hasNext()) {
				int event = reader.next();
				Refusal refusal = null;
				if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
					refusal = new Refusal(400, "security",
							"XML with a document type declaration or entity reference is not accepted");
				}
				else if (event == XMLStreamConstants.START_ELEMENT) {
					Object[] parent = open.peek();
					if (parent != null) {
						String name = reader.getLocalName();
						int run = name.equals(parent[0]) ? (int) parent[1] + 1 : 1;
						parent[0] = name;
						parent[1] = run;
						if (run > maxArrayLength) {
							refusal = tooCostly("repeats an element more than " + maxArrayLength + " times");
						}
					}
					open.push(new Object[] { null, 0 });
					refusal = refusal != null ? refusal : counter.open(false);
					for (int i = 0; refusal == null && i < reader.getAttributeCount(); i++) {
						refusal = counter.value(text(reader.getAttributeValue(i), BODY));
					}
				}
				else if (event == XMLStreamConstants.END_ELEMENT) {
					open.pop();
					refusal = counter.close();
				}
				else if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA) {
					refusal = text(reader.getText(), BODY);
				}
				if (refusal != null) {
					return refusal;
				}
			}
		}
		finally {
			reader.close();
		}
		return null;
	}

	/** Depth, element count and the length of the array being read, in one pass. */
	private final class Counter {

		private final Deque<int[]> arrays = new ArrayDeque<>();

		private int depth;

		private int elements;

		Refusal open(boolean array) {
			Refusal refusal = value(null);
			if (refusal != null) {
				return refusal;
			}
			if (++depth > maxDepth) {
				return tooCostly("nests deeper than " + maxDepth + " levels");
			}
			arrays.push(new int[] { array ? 0 : -1 });
			return null;
		}

		Refusal close() {
			depth--;
			arrays.poll();
			return null;
		}

		/**
		 * One more element: a value, object or array, counted in the array it sits in.
		 */
		Refusal value(Refusal textRefusal) {
			if (textRefusal != null) {
				return textRefusal;
			}
			if (++elements > maxElements) {
				return tooCostly("has more than " + maxElements + " elements");
			}
			int[] array = arrays.peek();
			if (array != null && array[0] >= 0 && ++array[0] > maxArrayLength) {
				return tooCostly("has an array of more than " + maxArrayLength + " items");
			}
			return null;
		}

	}

	private static Refusal tooCostly(String what) {
		return new Refusal(413, "too-costly", "The request body " + what + "; it is refused before parsing");
	}

	static final String BODY = "The body";

	/**
	 * FHIR strings hold no control characters but tab, CR and LF, and (as Unicode text)
	 * no unpaired surrogate.
	 * @param where what {@code s} came from, as the refusal's subject ("The body", "The
	 * query string")
	 */
	static Refusal text(String s, String where) {
		if (s == null) {
			return null;
		}
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
				return new Refusal(400, "invalid", where + " contains the control character U+"
						+ String.format("%04X", (int) c) + ", which FHIR strings may not hold");
			}
			if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				return new Refusal(400, "invalid", where + " contains an unpaired UTF-16 surrogate (U+"
						+ String.format("%04X", (int) c) + "), which is not Unicode text");
			}
		}
		return null;
	}

	private static Refusal strictUtf8(byte[] body) {
		try {
			StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(body));
			return null;
		}
		catch (CharacterCodingException e) {
			return new Refusal(400, "invalid", "The body is not valid UTF-8");
		}
	}

	private static String firstLine(String message) {
		if (message == null) {
			return "unreadable";
		}
		int nl = message.indexOf('\n');
		return nl < 0 ? message : message.substring(0, nl);
	}

}
