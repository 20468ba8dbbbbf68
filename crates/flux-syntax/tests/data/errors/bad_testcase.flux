testcase { }
