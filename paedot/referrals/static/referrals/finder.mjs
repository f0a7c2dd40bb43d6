// Suggests GP practices and schools as you type (progressive enhancement: without JavaScript the server searches).
const ENDPOINTS = {
  'gp-practices': '/api/directory/gp-practices',
  schools: '/api/directory/schools'
}

function debounce (fn, ms) {
  let timer
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}

for (const input of document.querySelectorAll('input[data-finder]')) {
  const endpoint = ENDPOINTS[input.dataset.finder]
  const list = document.getElementById(input.getAttribute('list'))
  if (!endpoint || !list) continue
  const suggest = debounce(async () => {
    const query = input.value.trim()
    if (query.length < 2) return
    try {
      const response = await fetch(`${endpoint}?q=${encodeURIComponent(query)}`, { headers: { Accept: 'application/json' } })
      if (!response.ok) return
      const results = await response.json()
      list.replaceChildren(...results.map((result) => {
        const option = document.createElement('option')
        option.value = result.label
        return option
      }))
    } catch (error) {
      // The server-side search still works when suggestions fail.
    }
  }, 200)
  input.addEventListener('input', suggest)
}
