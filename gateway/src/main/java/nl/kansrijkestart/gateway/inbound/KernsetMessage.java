package nl.kansrijkestart.gateway.inbound;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * An HL7v3 kernset message (REPC_IN004014NL, PWD 2.3) as a small element tree, read with
 * StAX: no DTD, no external entities, bounded depth and element count. Each element knows
 * its XPath in the message, for error messages that point into what the sender sent.
 */
record KernsetMessage(Element root) {

	static final String V3 = "urn:hl7-org:v3";

	private static final int MAX_DEPTH = 64;

	private static final int MAX_ELEMENTS = 200_000;

	/**
	 * One element: name, attributes ({@code xsi:type} as {@code type}), text, children,
	 * and where it is.
	 */
	record Element(String name, Map<String, String> attributes, List<Element> children, StringBuilder text,
			String path) {
		Optional<Element> child(String childName) {
			return children.stream().filter(c -> c.name().equals(childName)).findFirst();
		}

		List<Element> all(String childName) {
			return children.stream().filter(c -> c.name().equals(childName)).toList();
		}

		String attribute(String attributeName) {
			return attributes.get(attributeName);
		}

		/**
		 * The last segment of the templateId root (the kernset template number), or null.
		 */
		String template() {
			return child("templateId").map(t -> t.attribute("root"))
				.map(r -> r.substring(r.lastIndexOf('.') + 1))
				.orElse(null);
		}
	}

	static KernsetMessage read(byte[] body) {
		XMLInputFactory factory = XMLInputFactory.newFactory();
		factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
		factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
		factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
		Deque<Element> open = new ArrayDeque<>();
		Deque<Map<String, Integer>> siblings = new ArrayDeque<>();
		Element root = null;
		int count = 0;
		try {
			XMLStreamReader xml = factory.createXMLStreamReader(new ByteArrayInputStream(body));
			while (xml.hasNext()) {
				int event = xml.next();
				if (event == XMLStreamConstants.DTD) {
					throw new InvalidRequestException(
							"The message has a DOCTYPE: HL7v3 messages have none, and none is read");
				}
				if (event == XMLStreamConstants.START_ELEMENT) {
					if (++count > MAX_ELEMENTS || open.size() >= MAX_DEPTH) {
						throw new InvalidRequestException("The message is too large or too deeply nested ("
								+ MAX_ELEMENTS + " elements, depth " + MAX_DEPTH + ")");
					}
					if (root == null && !V3.equals(xml.getNamespaceURI())) {
						throw new InvalidRequestException(
								"Not an HL7v3 message: the root element is not in namespace " + V3);
					}
					String name = xml.getLocalName();
					Map<String, String> attributes = new LinkedHashMap<>();
					for (int i = 0; i < xml.getAttributeCount(); i++) {
						// xsi:type is kept as "type": HL7v3 has no attribute of that name
						// of its own
						attributes.put(xml.getAttributeLocalName(i), xml.getAttributeValue(i));
					}
					String path;
					if (open.isEmpty()) {
						path = "/" + name;
					}
					else {
						int n = siblings.peek().merge(name, 1, Integer::sum);
						path = open.peek().path() + "/" + name + "[" + n + "]";
					}
					Element element = new Element(name, attributes, new ArrayList<>(), new StringBuilder(), path);
					if (open.isEmpty()) {
						root = element;
					}
					else {
						open.peek().children().add(element);
					}
					open.push(element);
					siblings.push(new HashMap<>());
				}
				else if (event == XMLStreamConstants.END_ELEMENT) {
					open.pop();
					siblings.pop();
				}
				else if ((event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA)
						&& !open.isEmpty()) {
					open.peek().text().append(xml.getText());
				}
			}
		}
		catch (XMLStreamException e) {
			throw new InvalidRequestException("The message is not well-formed XML: " + firstLine(e.getMessage()));
		}
		if (root == null) {
			throw new InvalidRequestException("The message is empty");
		}
		return new KernsetMessage(root);
	}

	private static String firstLine(String message) {
		return message == null ? ""
				: message.lines().map(String::trim).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
	}

	/** The message id ({@code id/@root} and {@code @extension}). */
	Optional<String> id() {
		return root.child("id")
			.filter(i -> i.attribute("root") != null)
			.map(i -> i.attribute("root") + (i.attribute("extension") == null ? "" : "|" + i.attribute("extension")));
	}
}
