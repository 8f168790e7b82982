"""Prints each BDS element of the handover documents in a FHIR searchset (stdin): moment, element, name, value."""
import json
import sys

BDS = "urn:oid:2.16.840.1.113883.2.4.4.40.267"


def value(observation):
    if "valueQuantity" in observation:
        q = observation["valueQuantity"]
        return f"{q['value']} {q['code']}"
    if "valueCodeableConcept" in observation:
        concept = observation["valueCodeableConcept"]
        listed = [f"{c['code']} {c.get('display', '')} ({c['system']})" for c in concept.get("coding", [])
                  if c.get("system", "").startswith("urn:oid:")]
        return "; ".join(listed) if listed else concept.get("text", "")
    for key in ("valueBoolean", "valueInteger", "valueDateTime", "valueString"):
        if key in observation:
            return str(observation[key]).lower() if key == "valueBoolean" else str(observation[key])
    return ""


for entry in json.load(sys.stdin).get("entry", []):
    document = entry["resource"]
    moment = document["entry"][0]["resource"]["category"][0]["coding"][0]["code"]
    for part in document["entry"]:
        resource = part["resource"]
        for coding in resource.get("code", {}).get("coding", []) if resource["resourceType"] == "Observation" else []:
            if coding.get("system") == BDS:
                print(f"{moment} | BDS {coding['code']} | {coding['display']} | {value(resource)}")
