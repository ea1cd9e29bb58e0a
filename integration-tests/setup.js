// Medusa's DML registers MikroORM entities globally; each test file boots its own ORM.
const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()
