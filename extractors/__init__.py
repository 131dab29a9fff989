"""Pure NLP stages: load and clean, sentences, actors, actions, events."""
