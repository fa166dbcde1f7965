package io.motley.core.priority;

/** A user charging an account: the unit usage is recorded against (account null: no accounts declared). */
public record Association(String account, String user) {}
