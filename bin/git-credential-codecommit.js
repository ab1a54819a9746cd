#!/usr/bin/env node
require("./cc-helper.js");
