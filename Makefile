# The two commands of the README (dev, test), and the others a developer uses. Each installs
# whatever is missing first (cached afterwards).
.PHONY: dev test check check-api deploy bench bench-files

dev: ## Serve the portal at http://127.0.0.1:8787 with demo data and the development mailbox
	bash scripts/dev.sh

test: ## Run every test: lints, unit, end-to-end, browser, Schemathesis (the API document against the server)
	bash scripts/test.sh

check: ## Fast checks while coding (seconds once compiled): formatting, clippy, import cycles, native unit tests
	cargo fmt --check
	python3 scripts/import_cycles.py
	cargo clippy --all-targets -- -D warnings
	cargo test --lib --quiet

check-api: ## Schemathesis against a real worker: the API document (public/api/openapi.json) and the server agree (README "Developing")
	bash scripts/schemathesis.sh

deploy: ## Create what is missing on Cloudflare, apply pending migrations remotely, deploy (README "Deploying")
	bash scripts/deploy.sh

bench: ## Run the benchmarks and record their numbers in bench/RESULTS.md
	bash bench/run.sh

bench-files: ## Only the 50,000-file "Mes dossiers autorisés" benchmark (its section of bench/RESULTS.md)
	bash bench/files.sh
