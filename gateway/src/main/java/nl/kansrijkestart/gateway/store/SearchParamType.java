package nl.kansrijkestart.gateway.store;

public enum SearchParamType {

	TOKEN, REFERENCE, DATE

}
