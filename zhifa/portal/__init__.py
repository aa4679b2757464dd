"""What composes the apps below it: the learner home (我的学习), the layout's menus and bell, and the stories that
walk through several apps (tests/). The top layer: it imports from every app, and no app imports from it."""
