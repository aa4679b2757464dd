"""The enforcement certificate's life (执法证): provincial rules as data, 年审, suspension, revocation, cancellation."""
