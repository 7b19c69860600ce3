# The two commands of the README. Both install whatever is missing first (cached afterwards).
.PHONY: dev test bench bench-files

dev: ## Serve the portal at http://127.0.0.1:8787 with demo data and the development mailbox
	bash scripts/dev.sh

test: ## Run every test: lints, unit, end-to-end, browser
	bash scripts/test.sh

bench: ## Run the benchmarks and record their numbers in bench/RESULTS.md
	bash bench/run.sh

bench-files: ## Only the 50,000-file "Mes dossiers autorisés" benchmark (its section of bench/RESULTS.md)
	bash bench/files.sh
