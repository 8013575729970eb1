"""Hostile inputs, built inside the tests: one function per class of input that once stopped a
delivery, lost rows or euros, or leaked a BSN (issues 22 and 23).

Each builder writes its files into a given inbox from literals, or from a message the
project's own generator writes (``seeds``) with the class's change applied as a bytes or lxml
edit, so that no test needs anything beside the checkout. ``catalog.CLASSES`` names every
class and its builder; the tests that check outcomes keep the outcome chosen for each file as a
literal of their own.

Test numbers: 123456782 (9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154 = 14*11) and 111222333
(9+8+7+12+10+8+9+6-3 = 66 = 6*11) both pass the elfproef; neither is a generated client's.
"""
