"""Zhifa Academy (智慧执法学院): training, examination and evaluation of administrative law-enforcement officers."""
