"""The law library (法律法规库): Law, LawVersion, Provision, Citation; the parser, version diff and search backends."""
